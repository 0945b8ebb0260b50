"""随机抽取: the open random draw (lots.py) and its public record page (views.py)."""
