namespace Mirror.Grains.Tasks;

/// <summary>
/// The work cannot be done (an upstream error, a bad manifest); the message is the task's <c>error.description</c>. Work that
/// failed in part names in <see cref="Created"/> what it made all the same (the task's <c>created_resources</c>).
/// </summary>
public sealed class TaskFailedException(string message, Exception? inner = null) : Exception(message, inner)
{
    public List<string> Created { get; init; } = [];
}
