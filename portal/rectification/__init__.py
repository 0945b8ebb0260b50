"""Rectification (整改闭环): findings become items, the school reports, the inspector verifies."""
