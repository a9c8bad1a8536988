namespace Mirror.Grains;

/// <summary>Names under which grain state is stored. Each grain type has its own state name: the ADO.NET provider keys rows by state name and key only.</summary>
public static class GrainStorage
{
    public const string Provider = "mirror";

    /// <summary>The state names of the cataloged objects (written through <see cref="Catalog.CatalogedRecord{TState, TRecord}"/>).</summary>
    public static class States
    {
        public const string Repository = "repository";
        public const string Remote = "remote";
        public const string Distribution = "distribution";
        public const string Task = "task";
        public const string Schedule = "schedule";
    }
}
