namespace Mirror.Tasks;

/// <summary>Pulp's task states.</summary>
public static class TaskStates
{
    public const string Waiting = "waiting";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceling = "canceling";
    public const string Canceled = "canceled";
    public const string Skipped = "skipped";

    public static readonly string[] All = [Waiting, Skipped, Running, Completed, Failed, Canceled, Canceling];

    public static bool IsFinal(string state) => state is Completed or Failed or Canceled or Skipped;
}
