using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mirror.Storage.Secrets;

/// <summary>
/// At a silo's start, seals again under the current key every grain state that is not: state written before sealing
/// existed (plain JSON) and state sealed under a key in <c>Mirror:PreviousEncryptionKeys</c>, so an upgrade or a key
/// rotation leaves nothing behind once a silo has started. The payload is replaced only if it is still the one read and
/// its version is kept: a grain's own write in between wins, and the grain's ETag stays valid since what it holds is unchanged.
/// </summary>
public sealed partial class StateResealing(NpgsqlDataSource db, SecretBox box, ILogger<StateResealing> log) : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var (resealed, unreadable) = (0, 0);
            for (var after = "(0,0)"; ;)
            {
                var rows = await db.Command("""
                    select ctid::text, payloadbinary from orleansstorage
                    where payloadbinary is not null and substring(payloadbinary from 1 for $1) <> $2 and ctid > $3::tid
                    order by ctid limit $4
                    """, box.CurrentHeader.Length, box.CurrentHeader, after, Batch).RowsAsync(r => (Row: r.GetString(0), Payload: (byte[])r[1]), stoppingToken);
                if (rows.Count == 0) break;
                foreach (var (row, payload) in rows)
                {
                    byte[] plain;
                    try
                    {
                        plain = SecretBox.IsSealed(payload) ? box.Open(payload) : payload;
                    }
                    catch (System.Security.Cryptography.CryptographicException)
                    {
                        unreadable++;
                        continue;
                    }
                    resealed += await db.Command("update orleansstorage set payloadbinary = $2 where ctid = $1::tid and payloadbinary = $3",
                        row, box.Seal(plain), payload).ExecuteAsync(stoppingToken);
                }
                after = rows[^1].Row;
            }
            if (resealed > 0) LogResealed(log, resealed);
            if (unreadable > 0) LogUnreadable(log, unreadable);
        }
        catch (Exception e) when (e is not OperationCanceledException && TransientFaults.IsTransient(e))
        {
            // The next start tries again; nothing is lost meanwhile, the states open as they are.
            LogPostponed(log, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {Count} grain states under the current encryption key")]
    private static partial void LogResealed(ILogger log, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} grain states are sealed under a key that is neither Mirror:EncryptionKey nor one of Mirror:PreviousEncryptionKeys")]
    private static partial void LogUnreadable(ILogger log, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-sealing grain states waits for the next start: {Error}")]
    private static partial void LogPostponed(ILogger log, string error);
}
