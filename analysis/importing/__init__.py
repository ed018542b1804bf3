"""Results collected with Microsoft's P.808 toolkit (an MTurk Batch results CSV and the
toolkit's result_parser.cfg), imported as a listening test screened by the toolkit's rules."""
