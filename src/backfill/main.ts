// Placeholder entry point; replaced by the program's real command line.
process.stderr.write('backfill: not implemented yet\n');
process.exitCode = 1;
