namespace Mirror.Tasks;

/// <summary>
/// The queue of tasks for one resource (a repository, a remote), keyed by its PRN: Pulp's resource locks.
/// Tasks are served in the order they queued; shared holders run side by side, an exclusive one alone.
/// A task takes its resources one at a time in name order and keeps them until it finishes, so two tasks
/// can never wait for each other.
/// </summary>
[Alias("mirror.IReservationGrain")]
public interface IReservationGrain : IGrainWithStringKey
{
    /// <summary>Queues the task (once) and says whether it now holds the resource.</summary>
    [Alias("Acquire")]
    Task<bool> Acquire(Guid taskId, bool shared);

    /// <summary>
    /// For a queued task that does not hold the resource: holds the call until the queue moves (a task ahead leaves it) or a
    /// few seconds pass, and says whether it moved; then the task asks <see cref="Acquire"/> again. Answers true at once when
    /// the task holds the resource already or is not queued. It changes nothing, so it runs beside the calls that do.
    /// </summary>
    [Alias("WaitForTurn"), AlwaysInterleave]
    Task<bool> WaitForTurn(Guid taskId);

    /// <summary>Leaves the queue; releasing a task that is not queued does nothing.</summary>
    [Alias("Release")]
    Task Release(Guid taskId);
}
