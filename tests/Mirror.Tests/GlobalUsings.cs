global using Xunit;
global using Mirror.TestKit;
