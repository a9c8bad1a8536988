namespace Mirror;

/// <summary>Pulp's primary keys are UUIDv7: time ordered, so hrefs sort by creation.</summary>
public static class Ids
{
    public static Guid New() => Guid.CreateVersion7();
}
