namespace Mirror.Grains.Tasks;

/// <summary>The work cannot be done (an upstream error, a bad manifest); the message is the task's <c>error.description</c>.</summary>
public sealed class TaskFailedException(string message, Exception? inner = null) : Exception(message, inner);
