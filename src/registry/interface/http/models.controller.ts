import { Body, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation } from '@nestjs/swagger';
import { ApiController } from '../../../shared/http/edge/api-controller.decorator.js';
import { RegisterModelCommand } from '../../application/commands/register-model/register-model.command.js';
import { AddModelVersionCommand } from '../../application/commands/add-model-version/add-model-version.command.js';
import { UpdateModelCommand } from '../../application/commands/update-model/update-model.command.js';
import { UnregisterModelCommand } from '../../application/commands/unregister-model/unregister-model.command.js';
import { GetModelQuery } from '../../application/queries/get-model/get-model.query.js';
import { ListModelsQuery } from '../../application/queries/list-models/list-models.query.js';
import { ModelDetailsQuery } from '../../application/queries/model-details.query.js';
import { RegisterModelDto } from './register-model.dto.js';
import { AddModelVersionDto } from './add-model-version.dto.js';
import { UpdateModelDto } from './update-model.dto.js';
import { ListModelsDto } from './list-models.dto.js';

/** `{model_id}` is `owner/name`, sent URL-encoded (`owner%2Fname`); Express decodes it. */
@ApiController('models', 'models')
export class ModelsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a model' })
  async register(@Body() dto: RegisterModelDto) {
    await this.commands.execute(new RegisterModelCommand(dto));
    return this.queries.execute(new ModelDetailsQuery(dto.model_id));
  }

  @Get()
  @ApiOperation({ summary: 'List models, optionally of one task type' })
  list(@Query() q: ListModelsDto) {
    return this.queries.execute(new ListModelsQuery(q.task_type, q.page ?? 1, q.page_size ?? 20));
  }

  @Get(':model_id')
  @ApiOperation({ summary: 'One model with its versions, lifecycle state and I/O metadata' })
  get(@Param('model_id') modelId: string) {
    return this.queries.execute(new ModelDetailsQuery(modelId));
  }

  @Put(':model_id')
  @ApiOperation({ summary: 'Update display data, config or resource requirements' })
  async update(@Param('model_id') modelId: string, @Body() dto: UpdateModelDto) {
    await this.commands.execute(new UpdateModelCommand({ model_id: modelId, ...dto }));
    return this.queries.execute(new ModelDetailsQuery(modelId));
  }

  @Delete(':model_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unregister a model (its loaded worker is unloaded)' })
  async unregister(@Param('model_id') modelId: string): Promise<void> {
    await this.commands.execute(new UnregisterModelCommand(modelId));
  }

  @Post(':model_id/versions')
  @ApiOperation({ summary: 'Add a version' })
  async addVersion(@Param('model_id') modelId: string, @Body() dto: AddModelVersionDto) {
    await this.commands.execute(new AddModelVersionCommand({ model_id: modelId, ...dto }));
    const model = await this.queries.execute(new GetModelQuery(modelId));
    return { model_id: modelId, ...model.versions.find((v) => v.version === dto.version)! };
  }
}
