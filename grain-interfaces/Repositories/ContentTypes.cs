namespace Mirror.Repositories;

/// <summary>pulp_container's content types, the keys of a version's content summary.</summary>
public static class ContentTypes
{
    public const string Blob = "container.blob";
    public const string Manifest = "container.manifest";
    public const string Tag = "container.tag";
    public const string Signature = "container.signature";
}
