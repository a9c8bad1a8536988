using Mirror.TestKit.Cli;

// The test kit as a command, for the mirror script: `demo` (./mirror demo), `seed` (fill any registry with the demo
// set) and `port` (free loopback ports for the servers the script starts).
return await Commands.RunAsync(args);
