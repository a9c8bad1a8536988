namespace Mirror.Grains.Sync;

/// <summary>
/// Runs an async body over items with at most <c>degree</c> in flight, continuing on the caller's scheduler: inside a
/// grain the bodies interleave on its one thread, so they may touch grain state without locks.
/// </summary>
internal static class Concurrently
{
    public static async Task ForEachAsync<T>(IEnumerable<T> items, int degree, Func<T, Task> body)
    {
        using var source = items.GetEnumerator();
        var failed = false;
        async Task Worker()
        {
            while (true)
            {
                T item;
                lock (source)
                {
                    // After one failure the others finish what they hold and take nothing new.
                    if (failed || !source.MoveNext()) return;
                    item = source.Current;
                }
                try
                {
                    await body(item);
                }
                catch
                {
                    failed = true;
                    throw;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, degree)).Select(_ => Worker()));
    }
}
