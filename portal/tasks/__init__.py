"""报送: the office collects reports, forms and tables from chosen schools by a date."""
