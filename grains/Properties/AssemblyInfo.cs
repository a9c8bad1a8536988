using System.Runtime.CompilerServices;

// The unit tests drive the grains' plain helpers (PolledWork) without a silo.
[assembly: InternalsVisibleTo("Mirror.UnitTests")]
