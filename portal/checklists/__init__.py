"""The checklist template editor (督导检查表模板): the office keeps its templates and their versions."""
