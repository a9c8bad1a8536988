using Microsoft.Playwright;

namespace Mirror.TestKit.Browser;

/// <summary>
/// Debian's <c>chromium</c>, headless, driven through Playwright: the one way tests look at a page as a user's browser
/// shows it. Playwright is given the installed executable and never downloads a browser of its own (there is no
/// network to fetch one from); <c>./mirror test</c> installs the package.
/// </summary>
public sealed class HeadlessBrowser : IAsyncDisposable
{
    /// <summary>Where Debian's package puts the browser; <c>MIRROR_CHROMIUM</c> names another.</summary>
    public const string DefaultExecutable = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private HeadlessBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<HeadlessBrowser> StartAsync()
    {
        var executable = Environment.GetEnvironmentVariable("MIRROR_CHROMIUM") is { Length: > 0 } named ? named : DefaultExecutable;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} is missing: install Debian's chromium package (./mirror test does)");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                // Tests run as root, where chromium refuses its sandbox; a loaded machine starts it slowly.
                ChromiumSandbox = false,
                Timeout = 120_000,
            });
            return new HeadlessBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="url"/> in a fresh browser context (no cookies or cache shared with other pages) and waits until
    /// the network is idle. Every request the page makes is recorded; one to another origin is recorded and refused, so a
    /// test can assert that a page needs nothing but its own server.
    /// </summary>
    public async Task<BrowserPage> OpenAsync(Uri url, BrowserPageOptions? options = null)
    {
        options ??= new BrowserPageOptions();
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            HttpCredentials = options.Credentials is { } c ? new HttpCredentials { Username = c.Username, Password = c.Password } : null,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        var page = new BrowserPage(context, await context.NewPageAsync(), url);
        try
        {
            await page.StartAsync(options.Timeout);
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>How a page is opened: the credentials the browser answers a Basic challenge with, and how long a step may take.</summary>
public sealed record BrowserPageOptions
{
    public (string Username, string Password)? Credentials { get; init; }

    /// <summary>Generous: the machine is shared, and a page's scripts can take long to start under load.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}
