using System.Runtime.CompilerServices;

// The storage tests hold a digest's lock as orphan cleanup does (ContentIndex.LockDigestAsync), to race the index against it.
[assembly: InternalsVisibleTo("Mirror.Tests")]
