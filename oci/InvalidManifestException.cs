namespace Mirror.Oci;

/// <summary>A manifest or image config that cannot be mirrored: not JSON, a required field missing, a malformed digest or size.</summary>
public sealed class InvalidManifestException(string message, Exception? inner = null) : Exception(message, inner);
