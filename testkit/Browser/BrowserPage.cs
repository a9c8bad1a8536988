using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Mirror.TestKit.Browser;

/// <summary>
/// One page open in <see cref="HeadlessBrowser"/>, with what it asked for: every request (<see cref="Requests"/>), the
/// ones to another origin (<see cref="Foreign"/>, refused), and the errors its scripts reported (<see cref="Errors"/>).
/// <see cref="Page"/> is Playwright's page, for locators and waits.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly Uri _url;
    private readonly ConcurrentQueue<Uri> _requests = new();
    private readonly ConcurrentQueue<Uri> _foreign = new();
    private readonly ConcurrentQueue<string> _errors = new();

    internal BrowserPage(IBrowserContext context, IPage page, Uri url) => (_context, Page, _url) = (context, page, url);

    public IPage Page { get; }

    public IReadOnlyList<Uri> Requests => [.. _requests];

    /// <summary>Requests to any origin but the page's: a page that needs a CDN or a font service is broken offline.</summary>
    public IReadOnlyList<Uri> Foreign => [.. _foreign];

    /// <summary>Uncaught exceptions and <c>console.error</c> lines of the page's scripts.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    internal async Task StartAsync(TimeSpan timeout)
    {
        var milliseconds = (float)timeout.TotalMilliseconds;
        _context.SetDefaultTimeout(milliseconds);
        var origin = _url.GetLeftPart(UriPartial.Authority);
        // Routing every request of the context (pages, workers, fetches) sees all of them before any leaves the machine.
        await _context.RouteAsync("**/*", async route =>
        {
            var requested = new Uri(route.Request.Url);
            _requests.Enqueue(requested);
            if (requested.Scheme is "data" or "blob" || requested.GetLeftPart(UriPartial.Authority) == origin)
                await route.ContinueAsync();
            else
            {
                _foreign.Enqueue(requested);
                await route.AbortAsync("blockedbyclient");
            }
        });
        Page.PageError += (_, error) => _errors.Enqueue(error);
        Page.Console += (_, message) =>
        {
            if (message.Type == "error") _errors.Enqueue(message.Text);
        };
        var response = await Page.GotoAsync(_url.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = milliseconds });
        if (response is null || !response.Ok)
            throw new InvalidOperationException($"{_url} answered {response?.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}");
    }

    /// <summary>The text a user sees on the page (rendered text, not the markup).</summary>
    public Task<string> VisibleTextAsync() => Page.InnerTextAsync("body");

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _context.DisposeAsync();
    }
}
