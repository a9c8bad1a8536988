using Mirror.Storage;
using Orleans.Runtime;

namespace Mirror.UnitTests.Cluster;

/// <summary>Which failures work waits out (the cluster or the database is away) and which end it.</summary>
public class TransientFaultsTests
{
    [Fact]
    public void A_call_the_runtime_could_not_deliver_is_asked_again()
    {
        Assert.True(TransientFaults.IsTransient(new TimeoutException("Response did not arrive on time")));
        Assert.True(TransientFaults.IsTransient(new SiloUnavailableException("The target silo became unavailable")));
        Assert.True(TransientFaults.IsTransient(new AggregateException(new OrleansException("The message was rejected"))));
    }

    [Fact]
    public void A_message_that_expired_waiting_for_placement_is_asked_again()
    {
        // What Orleans 10.4 throws when placement outlives the message: a cancellation no token asked for.
        Assert.True(TransientFaults.IsTransient(new OperationCanceledException("Message expired before placement could complete for grain manifest/x.")));
    }

    [Fact]
    public void A_cancellation_the_caller_asked_for_is_not_waited_out()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var asked = Assert.ThrowsAny<OperationCanceledException>(() => cancel.Token.ThrowIfCancellationRequested());
        Assert.False(TransientFaults.IsTransient(asked));
    }

    [Fact]
    public void A_grains_own_failure_ends_the_work()
    {
        Assert.False(TransientFaults.IsTransient(new InvalidOperationException("manifest refers to a missing blob")));
        Assert.False(TransientFaults.IsTransient(new ArgumentException("bad digest")));
    }
}
