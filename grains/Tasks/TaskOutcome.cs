using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>How a run of a task's operation ended.</summary>
internal enum TaskEnding
{
    Completed,
    Failed,
    Canceled,
    /// <summary>Stopped by its silo's shutdown: no outcome; the task resumes on another silo.</summary>
    CutShort,
}

/// <summary>The one classification of a task's end: what <c>TaskGrain</c> records (nothing when it was cut short).</summary>
internal sealed record TaskOutcome(TaskEnding Ending, TaskError? Error, List<string> Created)
{
    public static TaskOutcome Completed(List<string> created) => new(TaskEnding.Completed, null, created);
    public static readonly TaskOutcome Canceled = new(TaskEnding.Canceled, null, []);
    public static readonly TaskOutcome CutShort = new(TaskEnding.CutShort, null, []);
    public static TaskOutcome Failed(string description, List<string>? created = null) => new(TaskEnding.Failed, new TaskError { Description = description }, created ?? []);

    /// <summary>The task's final state; a cut-short run has none.</summary>
    public string State => Ending switch
    {
        TaskEnding.Completed => TaskStates.Completed,
        TaskEnding.Failed => TaskStates.Failed,
        TaskEnding.Canceled => TaskStates.Canceled,
        _ => throw new InvalidOperationException("A run cut short by its silo's stop has no final state."),
    };
}
