namespace Mirror.UnitTests.Secrets;

public sealed class ErrorTextTests
{
    [Fact]
    public void A_file_system_error_reaches_clients_without_the_servers_path()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mirror-blobs-" + Guid.NewGuid().ToString("N"), "sha256", "ab");
        var error = Assert.ThrowsAny<IOException>(() => File.OpenRead(Path.Combine(folder, "abcdef")));
        Assert.Contains(folder, error.Message); // what .NET says

        var text = ErrorText.Of(error);
        Assert.DoesNotContain(folder, text);
        Assert.DoesNotContain("/sha256/", text);
        Assert.Contains("'…'", text);
    }

    [Fact]
    public void Upstream_urls_and_digests_stay()
    {
        const string Message = "GET http://registry.example/v2/library/x/blobs/sha256:0123 failed: 503 Service Unavailable";
        Assert.Equal(Message, ErrorText.Scrub(Message));
    }
}
