using Mirror.Storage.Secrets;

namespace Mirror.Tests.Infrastructure;

/// <summary>What <c>./mirror test</c> hands the suite: a PostgreSQL server, a work folder, the build configuration.</summary>
public static class TestEnvironment
{
    public static string AdminConnection =>
        Environment.GetEnvironmentVariable("MIRROR_TEST_DATABASE")
        ?? throw new InvalidOperationException("MIRROR_TEST_DATABASE is not set: run the suite with ./mirror test");

    public static string WorkFolder => Environment.GetEnvironmentVariable("MIRROR_TEST_WORK") ?? Path.GetTempPath();

    /// <summary>The <c>Mirror:EncryptionKey</c> of every process this run starts, new for each run.</summary>
    public static string EncryptionKey { get; } = SecretBox.NewKey();

    /// <summary>What the processes seal with, for tests that read the database as an operator with the key would.</summary>
    public static SecretBox SecretBox { get; } = new(Convert.FromBase64String(EncryptionKey), []);

    public static string Configuration => Environment.GetEnvironmentVariable("MIRROR_TEST_CONFIGURATION") ?? "Release";

    /// <summary>The checkout: the folder holding Mirror.Orleans.sln above the test assembly.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Mirror.Orleans.sln"))) return dir.FullName;
            throw new InvalidOperationException("Mirror.Orleans.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
