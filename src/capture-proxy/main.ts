// Placeholder entry point; replaced by the program's real command line.
process.stderr.write('capture-proxy: not implemented yet\n');
process.exitCode = 1;
