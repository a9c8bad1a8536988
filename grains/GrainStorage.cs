namespace Mirror.Grains;

/// <summary>Names under which grain state is stored. Each grain type has its own state name: the ADO.NET provider keys rows by state name and key only.</summary>
public static class GrainStorage
{
    public const string Provider = "mirror";
}
