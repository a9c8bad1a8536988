using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Mirror.Tests.Infrastructure;

/// <summary>
/// Hosts of a test's own: one Linux network namespace per host, each with its own address on a private /24, joined by
/// veth pairs to a bridge on which this process has the first address (<see cref="NodeAddress"/>), as pods on a node.
/// Needs root, <c>ip</c> and <c>iptables</c>; without them it fails with a message saying so, never silently. Names carry
/// this process's id, so a run that crashed leaves names the next run recognizes and removes (with any process still in
/// them); everything is removed on dispose.
/// </summary>
public sealed partial class NamespaceNetwork : IAsyncDisposable
{
    private const string NamespacePrefix = "mirror-t";
    private const string LinkPrefix = "mrt"; // interface names have at most 15 characters
    private static int _runs;

    private readonly string _tag;
    private readonly List<string> _namespaces = [];
    private readonly Dictionary<string, NetworkHost> _hosts = [];

    private NamespaceNetwork(string tag, string subnet)
    {
        _tag = tag;
        Subnet = subnet;
    }

    /// <summary>The network, e.g. <c>10.213.7.0/24</c>.</summary>
    public string Network => Subnet + "0/24";
    /// <summary>This process's address on the bridge: what the hosts reach it (and servers it runs) at.</summary>
    public IPAddress NodeAddress => IPAddress.Parse(Subnet + "1");
    private string Subnet { get; }
    private string Bridge => $"{LinkPrefix}{_tag}b";

    public NetworkHost this[string name] => _hosts[name];

    /// <summary>Creates the bridge and one namespace per name, after removing what a crashed earlier run left.</summary>
    public static async Task<NamespaceNetwork> CreateAsync(params IReadOnlyList<string> hosts)
    {
        RequireRootAndTools();
        await RemoveLeftoversAsync();
        var tag = $"{Environment.ProcessId:x6}{Interlocked.Increment(ref _runs) % 16:x1}";
        var network = new NamespaceNetwork(tag, await FreeSubnetAsync());
        try
        {
            await network.BuildAsync(hosts);
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync(IReadOnlyList<string> hosts)
    {
        await Ip("link", "add", Bridge, "type", "bridge");
        // Frames between namespaces stay off this machine's own iptables (br_netfilter would hand them to its FORWARD chain).
        await Quietly("ip", "link", "set", Bridge, "type", "bridge", "nf_call_iptables", "0");
        await Ip("addr", "add", $"{NodeAddress}/24", "dev", Bridge);
        await Ip("link", "set", Bridge, "up");
        foreach (var (name, index) in hosts.Select((h, i) => (h, i)))
        {
            var ns = $"{NamespacePrefix}{Environment.ProcessId}-{_tag}-{name}";
            var (outside, inside) = ($"{LinkPrefix}{_tag}v{index:x}", $"{LinkPrefix}{_tag}p{index:x}");
            var address = IPAddress.Parse($"{Subnet}{10 + index}");
            await Ip("netns", "add", ns);
            _namespaces.Add(ns);
            await Ip("link", "add", outside, "type", "veth", "peer", "name", inside);
            await Ip("link", "set", inside, "netns", ns);
            await Ip("-n", ns, "link", "set", inside, "name", "eth0");
            await Ip("-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
            await Ip("-n", ns, "link", "set", "eth0", "up");
            await Ip("-n", ns, "link", "set", "lo", "up");
            await Ip("link", "set", outside, "master", Bridge, "up");
            _hosts[name] = new NetworkHost(name, address, ["ip", "netns", "exec", ns]);
        }
    }

    /// <summary>
    /// Cuts <paramref name="host"/> off from every other address of the network, in its own namespace's iptables, except
    /// <paramref name="open"/> (TCP to it and its answers): a partition, not a kill; its processes keep running.
    /// </summary>
    public async Task CutOffAsync(string host, IPEndPoint open)
    {
        var iptables = _hosts[host].Launcher.Append("iptables").ToArray();
        string[][] rules =
        [
            ["-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"],
            ["-A", "OUTPUT", "-d", open.Address.ToString(), "-p", "tcp", "--dport", $"{open.Port}", "-j", "ACCEPT"],
            ["-A", "OUTPUT", "-j", "DROP"],
            ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
            ["-A", "INPUT", "-s", open.Address.ToString(), "-p", "tcp", "--sport", $"{open.Port}", "-j", "ACCEPT"],
            ["-A", "INPUT", "-j", "DROP"],
        ];
        foreach (var rule in rules) await Run(iptables[0], [.. iptables[1..], .. rule]);
    }

    /// <summary>Ends the partition: the host's namespace has no rules of its own but these.</summary>
    public async Task HealAsync(string host)
    {
        var iptables = _hosts[host].Launcher.Append("iptables").ToArray();
        await Run(iptables[0], [.. iptables[1..], "-F", "INPUT"]);
        await Run(iptables[0], [.. iptables[1..], "-F", "OUTPUT"]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in _namespaces) await RemoveNamespaceAsync(ns);
        foreach (var link in await LinksAsync())
            if (link.StartsWith(LinkPrefix + _tag, StringComparison.Ordinal)) await Quietly("ip", "link", "del", link);
    }

    private static void RequireRootAndTools()
    {
        if (Environment.UserName != "root" && geteuid() != 0)
            throw new InvalidOperationException("the network-namespace tests need root (ip netns, veth, iptables); CI runs as root");
        foreach (var tool in new[] { "ip", "iptables" })
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin").Any(dir => File.Exists(Path.Combine(dir, tool))))
                throw new InvalidOperationException($"'{tool}' is not installed: the network-namespace tests need it (./mirror test installs iproute2 and iptables)");
    }

    /// <summary>Namespaces and links of runs whose process is gone, with any process still inside such a namespace.</summary>
    private static async Task RemoveLeftoversAsync()
    {
        foreach (var ns in (await Output("ip", "netns", "list")).Split('\n').Select(l => l.Split(' ')[0]))
            if (LeftoverNamespace().Match(ns) is { Success: true } m && !Alive(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)))
                await RemoveNamespaceAsync(ns);
        foreach (var link in await LinksAsync())
            if (LeftoverLink().Match(link) is { Success: true } m && !Alive(int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
                await Quietly("ip", "link", "del", link);
    }

    private static async Task RemoveNamespaceAsync(string ns)
    {
        // Processes of this test still in it (a run that crashed): deleting the name alone would leave them on the network.
        foreach (var pid in (await Output("ip", "netns", "pids", ns)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            await Quietly("kill", "-9", pid.Trim());
        await Quietly("ip", "netns", "del", ns);
    }

    private static async Task<IEnumerable<string>> LinksAsync() =>
        (await Output("ip", "-o", "link", "show")).Split('\n')
            .Select(line => line.Split(':', 3))
            .Where(parts => parts.Length == 3)
            .Select(parts => parts[1].Trim().Split('@')[0]);

    /// <summary>A 10.x.y.0/24 that no address or route of this machine overlaps.</summary>
    private static async Task<string> FreeSubnetAsync()
    {
        var used = (await Output("ip", "-4", "route", "show", "table", "all")) + "\n" + (await Output("ip", "-4", "-o", "addr", "show"));
        var taken = Cidr().Matches(used).Select(m => (Address: Number(m.Groups[1].Value), Bits: m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 32))
            .Where(c => c.Bits >= 8).ToList();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var subnet = $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(0, 256)}.";
            var start = Number(subnet + "0");
            if (taken.All(c => !Overlaps(start, 24, c.Address, c.Bits))) return subnet;
        }
        throw new InvalidOperationException("no free 10.x.y.0/24 for the network-namespace test:\n" + used);
    }

    private static bool Overlaps(uint a, int aBits, uint b, int bBits)
    {
        var bits = Math.Min(aBits, bBits);
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (a & mask) == (b & mask);
    }

    private static uint Number(string address) => BitConverter.ToUInt32([.. IPAddress.Parse(address).GetAddressBytes().Reverse()]);

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");

    private static Task Ip(params string[] arguments) => Run("ip", arguments);

    private static async Task Run(string program, params string[] arguments) => (await CommandLine.RunAsync(program, arguments)).Ok();

    private static async Task Quietly(string program, params string[] arguments) => await CommandLine.RunAsync(program, arguments);

    private static async Task<string> Output(string program, params string[] arguments) => (await CommandLine.RunAsync(program, arguments)).Output;

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    [GeneratedRegex(@"^mirror-t(\d+)-")]
    private static partial Regex LeftoverNamespace();

    [GeneratedRegex(@"^mrt([0-9a-f]{6})[0-9a-f][bvp]")]
    private static partial Regex LeftoverLink();

    [GeneratedRegex(@"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?:/(\d{1,2}))?\b")]
    private static partial Regex Cidr();
}
