namespace Mirror.Storage.Content;

/// <summary>
/// When an upload counts as abandoned: not touched (started, or a chunk appended) for <see cref="Age"/>. The sweep that removes
/// such uploads, their rows and their blob store parts, runs every <see cref="Every"/>, once in the cluster.
/// </summary>
public sealed record UploadExpiry(TimeSpan Age, TimeSpan Every);
