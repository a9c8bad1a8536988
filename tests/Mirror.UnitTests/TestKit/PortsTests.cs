using Mirror.TestKit;

namespace Mirror.UnitTests.TestKit;

/// <summary>
/// A silo is told its silo, gateway and management ports before it binds any of them: the picks must differ even though
/// nothing listens on the first when the second is made (CI once started a silo with the same port for two of them).
/// </summary>
public sealed class PortsTests
{
    [Fact]
    public void Ports_picked_one_after_another_without_binding_them_all_differ()
    {
        // 400 picks from about 12,000 ports: picked independently, two would coincide in almost every run.
        var picked = Enumerable.Range(0, 400).Select(_ => Ports.Free()).ToList();

        Assert.Equal(picked.Count, picked.Distinct().Count());
        Assert.All(picked, port => Assert.InRange(port, 20000, 65535));
    }

    [Fact]
    public void A_block_shares_no_port_with_ports_picked_before_or_after_it()
    {
        var before = Enumerable.Range(0, 100).Select(_ => Ports.Free()).ToList();
        var block = Ports.FreeBlock(50);
        var after = Enumerable.Range(0, 100).Select(_ => Ports.Free()).ToList();

        var all = before.Concat(Enumerable.Range(block, 50)).Concat(after).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
