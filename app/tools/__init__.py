"""Developer tools: the sample-workbook generator."""
