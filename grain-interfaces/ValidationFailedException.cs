namespace Mirror;

/// <summary>
/// A request that breaks a rule only the owning grain can check (a unique name, a missing href).
/// The gateway answers it with Pulp's 400 shape <c>{"field": ["message"]}</c>; a task records it as its error.
/// </summary>
[GenerateSerializer, Alias("mirror.ValidationFailedException")]
public sealed class ValidationFailedException : Exception
{
    public ValidationFailedException(string field, string detail) : base($"{field}: {detail}")
    {
        Field = field;
        Detail = detail;
    }

    [Id(0)] public string Field { get; init; }
    [Id(1)] public string Detail { get; init; }
}
