// Placeholder entry point; replaced by the program's real command line.
process.stderr.write('console: not implemented yet\n');
process.exitCode = 1;
