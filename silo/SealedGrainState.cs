using Mirror.Storage.Secrets;
using Orleans.Storage;

namespace Mirror.Silo;

/// <summary>
/// Grain state as the database holds it: the JSON of <paramref name="inner"/>, sealed by <see cref="SecretBox"/>. A remote's
/// credentials, proxy password and client key live in its grain state, and a task's operation may carry them while it runs;
/// sealing every state covers them all without a list of which fields are secret. State written before sealing existed is
/// still read (it is JSON, not sealed) and sealed at its next write.
/// </summary>
public sealed class SealedGrainState(IGrainStorageSerializer inner, SecretBox box) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(box.Seal(inner.Serialize(input).ToMemory().Span));

    public T? Deserialize<T>(BinaryData input) =>
        SecretBox.IsSealed(input.ToMemory().Span) ? inner.Deserialize<T>(new BinaryData(box.Open(input.ToMemory().Span))) : inner.Deserialize<T>(input);
}
