namespace Mirror.Tasks;

/// <summary>
/// One Pulp task, keyed by its id. <see cref="Start"/> returns at once; the work runs in a background
/// loop on the grain, restarted by a reminder if the silo dies.
/// </summary>
[Alias("mirror.ITaskGrain")]
public interface ITaskGrain : IGrainWithGuidKey
{
    /// <summary>Records the task as waiting and starts it. Starting an existing task returns it unchanged.</summary>
    [Alias("Start")]
    Task<TaskRecord> Start(TaskOperation operation, string loggingCid);

    /// <summary>As <see cref="Start"/>, for a task started by another one: it shows <paramref name="parent"/> as its <c>parent_task</c>.</summary>
    [Alias("StartChild")]
    Task<TaskRecord> StartChild(TaskOperation operation, string loggingCid, Guid parent);

    /// <summary>
    /// Records a run that was not started (a scheduled sync due while its previous run still ran) as a task in Pulp's
    /// <c>skipped</c> state, final at once, holding no reservation. Recording an existing task returns it unchanged.
    /// </summary>
    [Alias("Skip")]
    Task<TaskRecord> Skip(TaskOperation operation, string loggingCid);

    /// <summary>The task, or null when it does not exist.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<TaskRecord?> Get();

    /// <summary>
    /// The task once it is final: holds the call while it runs, until it ends or a few seconds pass, then answers the task
    /// as it stands (null when it does not exist). A task that follows another (a parent its children) learns of its end
    /// at once, without asking again and again. It changes nothing, so it runs beside the calls that do.
    /// </summary>
    [Alias("WhenFinished"), AlwaysInterleave]
    Task<TaskRecord?> WhenFinished();

    /// <summary>Asks an unfinished task to stop. Returns the record after the request (unchanged when already final).</summary>
    [Alias("Cancel"), AlwaysInterleave]
    Task<TaskRecord?> Cancel();

    /// <summary>Forgets a finished task. False when the task is still unfinished.</summary>
    [Alias("Delete")]
    Task<bool> Delete();
}
