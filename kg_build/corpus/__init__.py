"""The corpus build: one partition per work (a document symbol, its texts in every language), built in worker
processes through read -> extract -> link -> map -> reason -> validate, cached by the hashes of its inputs, then
merged by a streaming merge of the sorted partitions into the build's files."""
