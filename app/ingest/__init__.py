"""Reading county spreadsheets: file sniffing, readers, header detection, mapping, normalization, validation."""
