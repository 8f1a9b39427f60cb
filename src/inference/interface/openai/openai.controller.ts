import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { MODEL_SERVING, type EmbeddingOutput, type ModelServingPort } from '../../../lifecycle/contracts.js';
import { ListModelsQuery } from '../../../registry/contracts.js';
import { DomainError } from '../../../shared/domain/domain-error.js';
import { readServingConfig } from '../../../shared/domain/serving-config.js';
import type { HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
import { ReadsOwnBody } from '../../../shared/http/adapter/fastify-routes.js';
import { ApiTokenGuard } from '../../../shared/http/edge/api-token.guard.js';
import { RunInferenceCommand } from '../../application/commands/run-inference/run-inference.command.js';
import { ModelDirectory, type ModelInfo } from '../../application/model-directory.js';
import { OPENAI_CONTENT_TYPES, readOipBody } from '../oip/oip-body.js';
import { checkDimensions, jobInputs, parseEmbeddingsRequest, shorten, toBase64 } from './embeddings-request.js';
import { OpenAiError, OpenAiExceptionFilter } from './openai-error.js';

/** OpenAI-compatible embeddings for txt2embed models: what LangChain, LlamaIndex and RAG stacks call. */
@Controller('v1')
@ApiExcludeController()
@UseFilters(OpenAiExceptionFilter)
@UseGuards(ApiTokenGuard)
export class OpenAiController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(MODEL_SERVING) private readonly serving: ModelServingPort,
    private readonly directory: ModelDirectory,
  ) {}

  @Post('embeddings')
  @HttpCode(200)
  @ReadsOwnBody()
  async embeddings(@Req() req: HttpRequest) {
    const request = parseEmbeddingsRequest((await readOipBody(req, OPENAI_CONTENT_TYPES)).header);
    const model = await this.embeddingModel(request.model);
    const matryoshka = readServingConfig(model.config).matryoshka === true;
    checkDimensions(request.dimensions, matryoshka, request.model); // before the job runs
    const native = this.serving.describe(request.model).io?.outputs[0]?.dims.at(-1);
    // A `dimensions` the model cannot give is refused before the job runs, when the model's size is known.
    if (typeof native === 'number' && native > 0) shorten(new Array<number>(native).fill(1), request.dimensions, matryoshka, request.model);
    const outcome = await this.commands.execute(new RunInferenceCommand({ model_id: request.model, inputs: jobInputs(request) }));
    const { embeddings, token_counts: counts = [] } = outcome.outputs as EmbeddingOutput;
    const tokens = counts.reduce((a, b) => a + b, 0);
    return {
      object: 'list',
      data: embeddings.map((vector, index) => {
        const v = shorten(vector, request.dimensions, matryoshka, request.model);
        return { object: 'embedding', index, embedding: request.encoding === 'base64' ? toBase64(v) : v };
      }),
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }

  @Get('models')
  async models() {
    const data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> = [];
    for (let page = 1; ; page++) {
      const { items, meta } = await this.queries.execute(new ListModelsQuery('txt2embed', page, 100));
      for (const m of items) data.push({ id: m.model_id, object: 'model', created: Math.floor(Date.parse(m.registered_at) / 1000), owned_by: m.model_id.split('/')[0]! });
      if (page >= meta.total_pages) break;
    }
    return { object: 'list', data };
  }

  /** From the queue's cached catalog: a registry query per request cost more CPU than the HTTP work around it. */
  private async embeddingModel(modelId: string): Promise<ModelInfo> {
    const model = await this.directory.get(modelId).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'MODEL_NOT_FOUND') throw new OpenAiError(404, `The model '${modelId}' does not exist`, 'model_not_found', 'model');
      throw err;
    });
    if (model.task_type !== 'txt2embed') {
      throw new OpenAiError(400, `model '${modelId}' is a ${model.task_type} model; /v1/embeddings serves txt2embed models`, 'model_not_supported', 'model');
    }
    return model;
  }
}
