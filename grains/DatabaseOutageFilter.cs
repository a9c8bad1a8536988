using Mirror.Storage;

namespace Mirror.Grains;

/// <summary>
/// Every grain call that fails because PostgreSQL is away answers <see cref="DatabaseUnavailableException"/>: the
/// driver's exceptions do not cross grain calls intact, and callers must know the failure for an outage, not an answer.
/// </summary>
public sealed class DatabaseOutageFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (e is not DatabaseUnavailableException && TransientFaults.IsDatabaseOutage(e))
        {
            throw new DatabaseUnavailableException("The database is unavailable: " + e.GetBaseException().Message);
        }
    }
}
