"""Who pays: the medical-insurance wallet (医保钱包, seed 000 三(二)) as a double-entry ledger,
and receipts numbered without gaps per pooling region and year. Builds on `enrollment`: every
payment becomes an enrollment through the one door (`enrollment.services.enrollment_record`)."""
