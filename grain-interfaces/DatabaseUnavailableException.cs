namespace Mirror;

/// <summary>
/// A grain could not reach PostgreSQL (connection refused or cut, server shutting down or recovering). It crosses grain
/// calls in place of the driver's own exception, which Orleans cannot carry, so every caller can tell an outage from a
/// failure: ask again later.
/// </summary>
[GenerateSerializer, Alias("Mirror.DatabaseUnavailableException")]
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
