using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Mirror.TestKit.Browser;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Operations;

/// <summary>The Orleans Dashboard on the gateway, as the admin's browser shows it, and closed to everyone else.</summary>
[Collection(ObservabilityCollection.Name)]
public sealed class DashboardTests(ObservabilityFixture fixture)
{
    private Uri Dashboard => new($"http://127.0.0.1:{fixture.Cluster.GatewayPort}/dashboard/");

    [Fact]
    public async Task The_dashboard_asks_for_credentials_and_turns_away_wrong_ones()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var anonymous = await http.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, Dashboard);
        wrong.Headers.Authorization = new("Basic", Convert.ToBase64String("admin:not-the-password"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
    }

    [Fact]
    public async Task The_admin_sees_the_dashboard_load_and_list_every_silo()
    {
        await using var browser = await HeadlessBrowser.StartAsync();
        await using var page = await browser.OpenAsync(Dashboard, new BrowserPageOptions { Credentials = (MirrorCluster.Username, MirrorCluster.Password) });
        var cluster = fixture.Cluster;
        var silos = cluster.Silos.Select(s => $"127.0.0.1:{cluster.SiloPort(s)}").ToList();

        // The overview counts the silos; its Silos page lists each by address. Both fill in as counters arrive (every second).
        await WaitForText(page, text => Regex.IsMatch(text, $@"ACTIVE SILOS\s+{silos.Count}\b", RegexOptions.IgnoreCase), $"{silos.Count} active silos");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Silos", Exact = true }).First.ClickAsync();
        await WaitForText(page, text => silos.All(text.Contains), string.Join(", ", silos));
        Assert.Empty(page.Errors);
    }

    private static async Task WaitForText(BrowserPage page, Func<string, bool> shows, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        for (var text = await page.VisibleTextAsync(); !shows(text); text = await page.VisibleTextAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the dashboard did not show {what}:\n{text}\nerrors: {string.Join("\n", page.Errors)}");
            await Task.Delay(1000);
        }
    }
}
