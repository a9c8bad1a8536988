using Microsoft.Playwright;
using Mirror.TestKit.Browser;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

/// <summary><c>docs/</c>, the API reference for people, as a user's browser shows it.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReferencePageTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_reference_page_shows_the_sync_operation_with_nothing_fetched_from_elsewhere()
    {
        await using var browser = await HeadlessBrowser.StartAsync();
        // Anonymous, like the document it renders: the browser has no credentials to answer a challenge with.
        await using var page = await browser.OpenAsync(new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}/pulp/api/v3/docs/"));

        // As a user finds it: open the repositories' group in the sidebar, pick the sync, read its operation.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Open Group - Repositories: Container", Exact = true }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Sync from a remote" }).First.ClickAsync();
        await page.Page.GetByText("repositories_container_container_sync").First.WaitForAsync();
        Assert.Contains("container_container_repository_href", await page.VisibleTextAsync());

        // Every script, style and font came from the gateway, and the page read the gateway's own document.
        Assert.Empty(page.Foreign);
        Assert.Empty(page.Errors);
        Assert.Contains(page.Requests, r => r.AbsolutePath == "/pulp/api/v3/docs/api.json");
    }
}
