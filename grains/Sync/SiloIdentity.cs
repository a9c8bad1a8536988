namespace Mirror.Grains.Sync;

/// <summary>This silo's configured name, for reports of which silo did what.</summary>
public sealed record SiloIdentity(string Name);
