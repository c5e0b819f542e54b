"""File import: JSONL and CSV files of posts, read in batches."""
