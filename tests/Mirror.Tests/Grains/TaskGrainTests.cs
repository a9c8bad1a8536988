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
}
