namespace Mirror.Grains.Sync;

/// <summary>
/// An upstream request stopped because its permit's lease could not be renewed in time (<see cref="RemotePermits"/>). Not
/// the upstream's failure: the request is tried again under a new permit, without counting against <c>max_retries</c>.
/// </summary>
public sealed class PermitLapsedException(Guid remote, Exception? cause)
    : Exception($"The permit of a request to remote {remote} lapsed before it could be renewed; the request was stopped", cause);
