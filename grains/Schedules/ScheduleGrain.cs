using Microsoft.Extensions.Logging;
using Mirror.Grains.Catalog;
using Mirror.Grains.Logging;
using Mirror.Schedules;
using Mirror.Storage.Catalog;
using Mirror.Tasks;

namespace Mirror.Grains.Schedules;

/// <summary>
/// A scheduled sync (see <see cref="IScheduleGrain"/>). Its record and catalog row are written through
/// <see cref="CatalogedRecord{TRecord}"/>. Each due time fires once in the cluster: the run's task id is derived from the
/// schedule and the due time (<see cref="Recurrence.RunId"/>), and a task started twice is the same task, so a run fired
/// again after its silo died before recording it starts nothing new. The due time advances only once the run is started or
/// recorded as skipped; a due time passed while no silo could fire (an outage) makes one run when one can, and the next
/// due time is the first after that run.
/// </summary>
public sealed class ScheduleGrain : Grain, IScheduleGrain, IRemindable
{
    private const string TickReminder = "tick";
    // Orleans' shortest reminder period: the reminder only brings the schedule back; its timer keeps the due times.
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMinutes(1);
    private readonly CatalogedRecord<ScheduleRecord> _schedule;
    private readonly TimeProvider _clock;
    private readonly ILogger<ScheduleGrain> _log;
    private IGrainTimer? _timer;

    public ScheduleGrain(
        [PersistentState(GrainStorage.States.Schedule, GrainStorage.Provider)] IPersistentState<CatalogedState<ScheduleRecord>> state,
        ScheduleCatalog catalog,
        TimeProvider clock,
        ILogger<ScheduleGrain> log)
    {
        _schedule = new(this, state, "schedule", catalog.UpsertAsync, catalog.DeleteAsync);
        (_clock, _log) = (clock, log);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _schedule.RepairAsync(cancellationToken);
        Arm();
    }

    async Task<ScheduleRecord> IScheduleGrain.Create(ScheduleSettings settings)
    {
        var now = _clock.UtcNowMicros();
        var created = await _schedule.CreateAsync(() => new ScheduleRecord
        {
            Id = this.GetPrimaryKey(), Settings = settings, Created = now, LastUpdated = now, NextDispatch = settings.When().First(now),
        }, CancellationToken.None);
        await this.RegisterOrUpdateReminder(TickReminder, TickPeriod, TickPeriod);
        Arm();
        return created;
    }

    Task<ScheduleRecord?> IScheduleGrain.Get() => Task.FromResult(_schedule.Settled);

    async Task<ScheduleRecord> IScheduleGrain.Update(ScheduleSettings settings)
    {
        var now = _clock.UtcNowMicros();
        var updated = await _schedule.UpdateAsync(r => r with { Settings = settings, LastUpdated = now, NextDispatch = settings.When().First(now) },
            CancellationToken.None);
        Arm();
        return updated;
    }

    async Task IScheduleGrain.Delete()
    {
        await _schedule.DeleteAsync(CancellationToken.None);
        _timer?.Dispose();
        if (await this.GetReminder(TickReminder) is { } reminder) await this.UnregisterReminder(reminder);
        DeactivateOnIdle();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_schedule.Record is null)
        {
            if (await this.GetReminder(TickReminder) is { } reminder) await this.UnregisterReminder(reminder);
            return;
        }
        await FireIfDue();
    }

    /// <summary>A timer for the next due time (at once when it has passed); it keeps the activation alive until then.</summary>
    private void Arm()
    {
        _timer?.Dispose();
        _timer = null;
        if (_schedule.Record?.NextDispatch is not { } due) return;
        var wait = due - _clock.GetUtcNow().UtcDateTime;
        _timer = this.RegisterGrainTimer(FireIfDue, new GrainTimerCreationOptions(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan)
        {
            KeepAlive = true,
        });
    }

    private async Task FireIfDue()
    {
        var now = _clock.UtcNowMicros();
        if (_schedule.Record is not { NextDispatch: { } due } record || due > now)
        {
            Arm();
            return;
        }
        var settings = record.Settings;
        var run = Recurrence.RunId(record.Id, due);
        var operation = new SyncRepository(settings.RepositoryId, settings.RemoteId, settings.Mirror, SignedOnly: false);
        var cid = run.ToString("N");
        var task = GrainFactory.GetGrain<ITaskGrain>(run);
        // Fired before, by an activation that died before recording it: record what it did.
        if (await task.Get() is { } fired)
            await Record(fired, settings, due);
        else if (record.LastTask is { } last && await GrainFactory.GetGrain<ITaskGrain>(last).Get() is { } previous && !TaskStates.IsFinal(previous.State))
        {
            _log.ScheduledRunSkipped(record.Id, settings.Name, due, last);
            await Record(await task.Skip(operation, cid), settings, due);
        }
        else
        {
            _log.ScheduledRunStarted(record.Id, settings.Name, due, run);
            await Record(await task.Start(operation, cid), settings, due);
        }
        Arm();
    }

    /// <summary>Records <paramref name="run"/> and the next due time: the first after the run was made (a slow start does not leave it in the past).</summary>
    private Task<ScheduleRecord> Record(TaskRecord run, ScheduleSettings settings, DateTime due)
    {
        var next = settings.When().After(due, _clock.UtcNowMicros());
        return _schedule.UpdateAsync(r => run.State == TaskStates.Skipped
            ? r with { NextDispatch = next, Skipped = r.Skipped + 1, LastSkippedTask = run.Id }
            : r with { NextDispatch = next, Dispatched = r.Dispatched + 1, LastTask = run.Id }, CancellationToken.None);
    }
}
