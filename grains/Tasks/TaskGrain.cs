using Mirror.Grains.Catalog;
using Mirror.Grains.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Storage;
using Mirror.Storage.Catalog;
using Mirror.Tasks;
using Mirror.Telemetry;

namespace Mirror.Grains.Tasks;

/// <summary>
/// One Pulp task. The work runs as a background loop on this activation (never as one long grain
/// call, which the 30 s call timeout and the stuck-activation detector forbid). A reminder ticks
/// while the task is unfinished: it keeps the activation alive and starts the loop again on another
/// silo when this one dies. The record and its catalog row are written through <see cref="CatalogedRecord{TState, TRecord}"/>,
/// as every cataloged object is; the operation travels in the same state writes.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Its CancellationTokenSource has no timer and no links, so it holds nothing that outlives the activation.")]
public sealed class TaskGrain : Grain, ITaskGrain, IRemindable
{
    private const string RunReminder = "run";
    private readonly IPersistentState<TaskState> _state;
    private readonly CatalogedRecord<TaskState, TaskRecord> _task;
    private readonly TimeProvider _clock;
    private readonly IServiceProvider _services;
    private readonly ILogger<TaskGrain> _log;
    private Task? _loop;
    // The reports of the run in progress: its outcome is written with the latest of them, not with the last one saved.
    private TaskProgress? _progress;
    private readonly CancellationTokenSource _cancel = new();
    // The silo is stopping: the work ends here without an outcome and resumes on another silo (its reminder, or the next poll).
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _work;
    // The last write of the record asked for: the next waits for it (see Save).
    private Task _writing = Task.CompletedTask;
    // Answers every held WhenFinished once the final record (or its deletion) is stored.
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IHostApplicationLifetime _host;

    public TaskGrain(
        [PersistentState(GrainStorage.States.Task, GrainStorage.Provider)] IPersistentState<TaskState> state,
        TaskCatalog catalog,
        TimeProvider clock,
        IServiceProvider services,
        IHostApplicationLifetime host,
        ILogger<TaskGrain> log)
    {
        (_state, _clock, _services, _host, _log) = (state, clock, services, host, log);
        // A failed write leaves the activation (and its loop) in place: the loop retries through an outage, and the next
        // write finishes a row left pending.
        _task = new(this, state, "task", catalog.UpsertAsync, catalog.DeleteAsync, deactivateOnFailure: false);
        _work = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, _stopping.Token);
    }

    private TaskRecord Record => _state.State.Record!;

    /// <summary>
    /// A silo that shuts down stops this task's work instead of waiting for it (a graceful stop would otherwise last as long
    /// as the host's shutdown timeout). Nothing is recorded: the operation is idempotent and runs again on another silo.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown || _loop is not { } loop) return;
        _stopping.Cancel();
        try
        {
            await loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        _log.TaskLeftToAnotherSilo(Record.Id, Record.Name);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A row its last write did not reach (the silo died between state and row) is brought up to the state first.
        await _task.RepairAsync(cancellationToken);
        // A task whose silo died resumes as soon as anyone asks about it (clients poll tasks), not only at its reminder.
        if (_state.State.Record is { } record && !TaskStates.IsFinal(record.State)) StartLoop();
    }

    Task<TaskRecord> ITaskGrain.Start(TaskOperation operation, string loggingCid) => Start(operation, loggingCid, parent: null);

    Task<TaskRecord> ITaskGrain.StartChild(TaskOperation operation, string loggingCid, Guid parent) => Start(operation, loggingCid, parent);

    private async Task<TaskRecord> Start(TaskOperation operation, string loggingCid, Guid? parent)
    {
        if (_state.State.Record is { } existing) return existing;
        // The reminder does not depend on the record (a reminder that finds none goes away), so its round trip overlaps the
        // record's writes; a place in a queue waits for the record, which the tasks behind it ask whether it still runs.
        await Task.WhenAll(this.RegisterOrUpdateReminder(RunReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), CreateAndQueue());
        StartLoop();
        return Record;

        async Task CreateAndQueue()
        {
            await _task.CreateAsync(() => NewRecord(operation, loggingCid, TaskStates.Waiting) with { ParentTask = parent }, CancellationToken.None,
                WithOperation(operation));
            // Take a place in the first resource's queue now, so tasks on one repository run in the order they were asked for.
            if (Reservations().FirstOrDefault() is { } first) await Reserve(first);
        }
    }

    async Task<TaskRecord> ITaskGrain.Skip(TaskOperation operation, string loggingCid)
    {
        if (_state.State.Record is { } existing) return existing;
        // Nothing runs, so nothing is reserved or kept: the record names what was skipped and the resources it would have taken.
        await _task.CreateAsync(() => NewRecord(operation, loggingCid, TaskStates.Skipped), CancellationToken.None);
        MirrorTelemetry.TasksFinished.Add(1, MirrorTelemetry.Tag("name", Record.Name), MirrorTelemetry.Tag("state", TaskStates.Skipped));
        DeactivateOnIdle();
        return Record;
    }

    private TaskRecord NewRecord(TaskOperation operation, string loggingCid, string state)
    {
        var now = _clock.UtcNowMicros();
        return new TaskRecord
        {
            Id = this.GetPrimaryKey(),
            Name = operation.TaskName,
            State = state,
            LoggingCid = loggingCid,
            Created = now,
            LastUpdated = now,
            FinishedAt = TaskStates.IsFinal(state) ? now : null,
            ReservedResources = operation.ReservedResources(),
        };
    }

    Task<TaskRecord?> ITaskGrain.Get() => Task.FromResult(_task.Settled);

    async Task<TaskRecord?> ITaskGrain.WhenFinished()
    {
        if (_task.Settled is not { } record || TaskStates.IsFinal(record.State)) return _task.Settled;
        await GrainWait.Hold(_finished.Task, _clock, _host.ApplicationStopping);
        return _task.Settled;
    }

    async Task<TaskRecord?> ITaskGrain.Cancel()
    {
        if (_state.State.Record is not { } record || TaskStates.IsFinal(record.State) || record.State == TaskStates.Canceling)
            return _state.State.Record;
        // A parent's work is its children's (a registry sync's syncs): canceling it cancels them.
        foreach (var child in record.ChildTasks) await GrainFactory.GetGrain<ITaskGrain>(child).Cancel();
        if (_loop is null)
        {
            // Nothing is running here (the silo that ran it died before the reminder came back): nothing to wait for.
            await Finish(TaskStates.Canceled, error: null, created: []);
            return Record;
        }
        await Save(r => r with { State = TaskStates.Canceling, LastUpdated = _clock.UtcNowMicros() });
        _cancel.Cancel();
        return Record;
    }

    async Task<bool> ITaskGrain.Delete()
    {
        if (_state.State.Record is { } record && !TaskStates.IsFinal(record.State)) return false;
        await _task.DeleteAsync(CancellationToken.None);
        _finished.TrySetResult();
        DeactivateOnIdle();
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_state.State.Record is not { } record || TaskStates.IsFinal(record.State))
        {
            // No record: a start whose record was never written (its reminder was registered alongside), so nothing was queued.
            if (_state.State.Record is not null) await ReleaseReservations();
            await UnregisterRunReminder();
            return;
        }
        StartLoop();
    }

    private void StartLoop() => _loop ??= Loop();

    private async Task Loop()
    {
        // Return to the caller first: Start must answer in milliseconds.
        await Task.Yield();
        var name = MirrorTelemetry.Tag("name", Record.Name);
        MirrorTelemetry.TasksRunning.Add(1, name);
        using var scope = WorkScope.ForTask(_log, Record.Id, Record.LoggingCid);
        // A child of the call that started the task (the gateway's request, through Orleans' activity propagation), or of the reminder's.
        using var span = MirrorTelemetry.Source.StartActivity("task " + Record.Name);
        span?.SetTag("mirror.task.id", Record.Id.ToString());
        span?.SetTag("mirror.correlation_id", Record.LoggingCid);
        try
        {
            var outcome = await Outcome();
            if (outcome.Ending == TaskEnding.CutShort) return;
            // The outcome is recorded once the database takes it; past the budget the reminder runs the task again. A silo
            // that stops (its run completed meanwhile) tries once: the task's reminder brings it to another silo, which records it.
            if (_stopping.IsCancellationRequested) await Finish(outcome.State, outcome.Error, outcome.Created);
            else await Budget.Retry(() => Finish(outcome.State, outcome.Error, outcome.Created), _clock, CancellationToken.None);
        }
        catch (Exception e)
        {
            _log.TaskOutcomeUnrecorded(e, Record.Id);
        }
        finally
        {
            MirrorTelemetry.TasksRunning.Add(-1, name);
            _loop = null;
        }
    }

    private OutageBudget Budget => OutageBudget.Of(_services);

    /// <summary>
    /// Runs the operation to its outcome. A database outage or a silo lost under a call is not the task's failure: the
    /// operation (idempotent) runs again after a pause, for as long as the outage budget lasts.
    /// </summary>
    private async Task<TaskOutcome> Outcome()
    {
        if (Record.State == TaskStates.Canceling) return TaskOutcome.Canceled;
        DateTimeOffset? outageSince = null;
        for (var attempt = 1; ; attempt++)
        {
            var started = _clock.GetUtcNow();
            try
            {
                var created = await RunOnce();
                // Finished: an outcome even when the silo is stopping meanwhile.
                return Record.State == TaskStates.Canceling ? TaskOutcome.Canceled : TaskOutcome.Completed(created);
            }
            catch (Exception e) when (Classify(e) is { } outcome)
            {
                return outcome;
            }
            catch (Exception e) // transient: see Classify
            {
                var now = _clock.GetUtcNow();
                // An attempt that ran longer than the budget before this fault had got past the previous outage.
                if (outageSince is null || now - started > Budget.Length) (outageSince, attempt) = (now, 1);
                if (now - outageSince > Budget.Length)
                {
                    _log.TaskOutageTooLong(e, Record.Id, Record.Name, Budget.Length);
                    return TaskOutcome.Failed($"The database or the cluster was unavailable for longer than {Budget.Length}: {e.Message}");
                }
                _log.TaskWaitsForOutage(Record.Id, Record.Name, e.Message);
                try
                {
                    await Task.Delay(OutageBudget.Pause(attempt), _clock, _work.Token);
                }
                catch (OperationCanceledException cancel)
                {
                    return Classify(cancel)!;
                }
            }
        }
    }

    /// <summary>
    /// How a run that threw ended: cut short when its silo stops (whatever it threw then), canceled, failed; null for a
    /// database outage or a silo lost under a call, which the caller waits out.
    /// </summary>
    private TaskOutcome? Classify(Exception e)
    {
        if (_stopping.IsCancellationRequested) return TaskOutcome.CutShort;
        switch (e)
        {
            case OperationCanceledException when _work.IsCancellationRequested:
                return TaskOutcome.Canceled;
            case TaskFailedException failed:
                _log.TaskFailed(Record.Id, Record.Name, failed.Message);
                return TaskOutcome.Failed(ErrorText.Of(failed), failed.Created);
            case ValidationFailedException invalid:
                return TaskOutcome.Failed(invalid.Detail);
            case var _ when TransientFaults.IsTransient(e):
                return null;
            default:
                _log.TaskCrashed(e, Record.Id, Record.Name);
                return TaskOutcome.Failed(ErrorText.Of(e));
        }
    }

    private async Task<List<string>> RunOnce()
    {
        await WaitForReservations();
        var now = _clock.UtcNowMicros();
        await Save(r => r with { State = r.State == TaskStates.Canceling ? r.State : TaskStates.Running, UnblockedAt = r.UnblockedAt ?? now, StartedAt = r.StartedAt ?? now, LastUpdated = now });
        var progress = _progress = new TaskProgress(reports => Save(r => r with { ProgressReports = reports, LastUpdated = _clock.UtcNowMicros() }), _clock);
        var context = new TaskContext(Record.Id, Record.LoggingCid, GrainFactory, _services, progress, _log,
            children => Save(r => r with { ChildTasks = [.. children], LastUpdated = _clock.UtcNowMicros() }), _work.Token);
        var created = await TaskRunner.Run(context, _state.State.Operation
            ?? throw new InvalidOperationException($"Task {Record.Id} has lost its operation"));
        return created;
    }

    private async Task Finish(string finalState, TaskError? error, List<string> created)
    {
        var now = _clock.UtcNowMicros();
        var counted = TaskStates.IsFinal(Record.State); // a retried finish (its reminder was not yet gone) counts once
        // The reservations go back while the outcome is written, not before it: a finish retried after a failed write gives
        // them back again (a release is idempotent).
        var released = ReleaseReservations();
        // A finished task keeps no copy of the secrets its operation may have carried; until the save succeeds it keeps
        // the operation, so a retry after a failed save still has it. This write settles the record's row for good, with the
        // run's last progress (not saved on its own just before).
        var saved = Save(r => r with
        {
            State = finalState,
            Error = error,
            CreatedResources = created,
            FinishedAt = r.FinishedAt ?? now,
            LastUpdated = now,
            ProgressReports = (_progress?.Reports ?? r.ProgressReports).Select(p => p.State == TaskStates.Running ? p with { State = finalState } : p).ToList(),
        }, WithOperation(null), settle: true);
        await Task.WhenAll(released, saved);
        _finished.TrySetResult();
        if (!counted) MirrorTelemetry.TasksFinished.Add(1, MirrorTelemetry.Tag("name", Record.Name), MirrorTelemetry.Tag("state", finalState));
        if (!counted) MirrorTelemetry.TaskDuration.Record((Record.FinishedAt!.Value - Record.Created).TotalSeconds, MirrorTelemetry.Tag("name", Record.Name), MirrorTelemetry.Tag("state", finalState));
        await UnregisterRunReminder();
    }

    /// <summary>The task's resources in the order every task takes them (by name), each with whether it is shared.</summary>
    private IEnumerable<(string Resource, bool Shared)> Reservations() => Record.ReservedResources
        .Select(r => r.StartsWith("shared:", StringComparison.Ordinal) ? (r["shared:".Length..], true) : (r, false))
        .OrderBy(r => r.Item1, StringComparer.Ordinal);

    private Task<bool> Reserve((string Resource, bool Shared) reservation) =>
        GrainFactory.GetGrain<IReservationGrain>(reservation.Resource).Acquire(Record.Id, reservation.Shared);

    private async Task WaitForReservations()
    {
        // A reservation answers at once; while tasks ahead hold it, the task waits for the queue to move (a call the
        // reservation holds) and asks again, so it starts as soon as the task ahead gives the resource back.
        foreach (var reservation in Reservations())
        {
            var queue = GrainFactory.GetGrain<IReservationGrain>(reservation.Resource);
            await GrainWait.Until(() => Reserve(reservation), held => held, Budget, _work.Token,
                whileWaiting: () => Budget.Retry(() => queue.WaitForTurn(Record.Id).WaitAsync(_work.Token), _clock, _work.Token));
        }
    }

    /// <summary>Every reservation at once: they are taken in order (so tasks never wait on each other in a cycle), not given back in one.</summary>
    private Task ReleaseReservations() =>
        Task.WhenAll(Reservations().Select(r => GrainFactory.GetGrain<IReservationGrain>(r.Resource).Release(Record.Id)));

    /// <summary>
    /// Writes a change of the record and its row (the one write path); a failed state write leaves memory as storage has it.
    /// Until the outcome, writes are unsettled (two writes, not three: see <see cref="CatalogedRecord{TState, TRecord}.UpdateAsync"/>):
    /// the task's reminder brings it back to finish a row a crash left behind, and its outcome's write settles.
    /// One change at a time, in the order asked (the loop's progress, a cancel, which interleaves with the loop, and a save
    /// that overlaps the work): a change begun while another is between its state and its row would write that one's row
    /// before its state is stored, and each change's marks (<see cref="CatalogedState{TRecord}.RowPending"/>) would be the other's.
    /// </summary>
    private Task<TaskRecord> Save(Func<TaskRecord, TaskRecord> change, Func<TaskState, Action>? alongside = null, bool settle = false)
    {
        var write = AfterWrite(_writing, () => _task.UpdateAsync(change, CancellationToken.None, alongside, settle));
        _writing = write;
        return write;
    }

    private static async Task<TaskRecord> AfterWrite(Task previous, Func<Task<TaskRecord>> write)
    {
        try
        {
            await previous;
        }
        catch
        {
            // The previous write's caller has its failure; this change is written after it either way.
        }
        return await write();
    }

    /// <summary>Sets the operation in the state write of a change (null drops it), and says how to undo that if the write fails.</summary>
    private static Func<TaskState, Action> WithOperation(TaskOperation? operation) => s =>
    {
        var kept = s.Operation;
        s.Operation = operation;
        return () => s.Operation = kept;
    };

    private async Task UnregisterRunReminder()
    {
        if (await this.GetReminder(RunReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }
}
