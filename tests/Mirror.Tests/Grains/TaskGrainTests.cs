using Mirror.Repositories;
using Mirror.Tasks;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Grains;

[Collection(GrainCollection.Name)]
public sealed class TaskGrainTests(GrainClusterFixture fixture)
{
    private async Task<TaskRecord> Finished(ITaskGrain task)
    {
        for (var i = 0; i < 200; i++)
        {
            var record = (await task.Get())!;
            if (TaskStates.IsFinal(record.State)) return record;
            await Task.Delay(50);
        }
        throw new TimeoutException("task did not finish");
    }

    [Fact]
    public async Task Start_returns_at_once_and_the_task_runs_to_completion()
    {
        var repository = Ids.New();
        await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Create(new RepositorySettings { Name = Names.Unique("t") });
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());

        var started = await task.Start(new UpdateRepository(repository, new RepositorySettings { Name = Names.Unique("t2"), Description = "new" }), "cid-1");
        Assert.Equal(TaskStates.Waiting, started.State);
        Assert.Equal([Hrefs.RepositoryPrn(repository)], started.ReservedResources);

        var finished = await Finished(task);
        Assert.Equal(TaskStates.Completed, finished.State);
        Assert.NotNull(finished.StartedAt);
        Assert.True(finished.FinishedAt >= finished.StartedAt);
        Assert.Equal("new", (await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Get())!.Settings.Description);
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_tasks where id = '{finished.Id}' and state = 'completed'"));
    }

    [Fact]
    public async Task A_task_whose_work_fails_ends_failed_with_a_description()
    {
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        await task.Start(new UpdateRepository(Ids.New(), new RepositorySettings { Name = Names.Unique("none") }), "cid-2");

        var finished = await Finished(task);

        Assert.Equal(TaskStates.Failed, finished.State);
        Assert.Equal("The repository no longer exists.", finished.Error?.Description);
    }

    [Fact]
    public async Task A_finished_task_is_not_canceled_and_can_be_deleted_while_an_unknown_one_is_null()
    {
        var repository = Ids.New();
        await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Create(new RepositorySettings { Name = Names.Unique("c") });
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        await task.Start(new DeleteRepository(repository), "cid-3");
        var finished = await Finished(task);

        var afterCancel = (await task.Cancel())!;
        Assert.Equal((TaskStates.Completed, finished.FinishedAt), (afterCancel.State, afterCancel.FinishedAt));
        Assert.True(await task.Delete());
        Assert.Null(await task.Get());
        Assert.Null(await fixture.Grains.GetGrain<ITaskGrain>(Ids.New()).Get());
    }

    [Fact]
    public async Task A_cancel_that_comes_while_the_task_writes_its_state_waits_for_that_write_and_the_list_shows_only_what_is_stored()
    {
        var repository = Ids.New();
        await fixture.Grains.GetGrain<IRepositoryGrain>(repository).Create(new RepositorySettings { Name = Names.Unique("w") });
        var task = fixture.Grains.GetGrain<ITaskGrain>(Ids.New());
        // Its create writes the state twice (the record, then the settled mark); the third write is the loop's "running".
        var hold = HeldStateWrites.Hold(task.GetGrainId(), ordinal: 3);
        await task.Start(new UpdateRepository(repository, new RepositorySettings { Name = Names.Unique("w2") }), "cid-5");
        await hold.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The cancel's change waits for the one under way: begun alongside it, it would finish that change's row first, and
        // the list would show "running" while the stored state still says "waiting" (and would after a crash).
        var canceling = task.Cancel();
        await Task.WhenAny(canceling, Task.Delay(500));
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_tasks where id = '{task.GetPrimaryKey()}' and state = 'waiting'"));
        hold.Release();
        Assert.Equal(TaskStates.Canceling, (await canceling)!.State);

        var finished = await Finished(task);
        Assert.Equal(TaskStates.Canceled, finished.State);
        Assert.Null(finished.Error);
        Assert.Equal(1, await fixture.Database.CountAsync($"select count(*) from mirror_tasks where id = '{finished.Id}' and state = 'canceled'"));
    }
}
