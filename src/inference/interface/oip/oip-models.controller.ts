import { Controller, Get, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { MODEL_SERVING, type ModelServingPort } from '../../../lifecycle/contracts.js';
import { MatchesRestOfPath, ReadsOwnBody } from '../../../shared/http/adapter/fastify-routes.js';
import { requestPath, type HttpReply, type HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
import { ApiTokenGuard } from '../../../shared/http/edge/api-token.guard.js';
import { RunInferenceCommand } from '../../application/commands/run-inference/run-inference.command.js';
import { readOipBody } from './oip-body.js';
import { OIP_TO_TENSOR as TENSOR_TYPE } from './oip-datatypes.js';
import { OipError, OipExceptionFilter } from './oip-error.js';
import { checkAgainstModel, parseInferRequest, type OipInferRequest, type OipInput } from './oip-infer-request.js';
import { buildResponse, outputTensors, plannedOutputs, type OipInferResponse } from './oip-infer-response.js';
import { modelMetadata, oipIo } from './oip-metadata.js';
import { assertServable, findOipModel, servingVersion, withIo, withRecordedIo, type OipModelWithIo } from './oip-model.js';
import { modelPathOf, parseModelPath } from './oip-model-path.js';

/**
 * `/v2/models/<name>[/versions/<v>][/ready|/infer]`. One wildcard route, parsed by hand,
 * because a name may arrive with its slash encoded, raw (tritonclient) or as an alias.
 */
@Controller('v2/models')
@ApiExcludeController()
@UseFilters(OipExceptionFilter)
@UseGuards(ApiTokenGuard)
export class OipModelsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(MODEL_SERVING) private readonly serving: ModelServingPort,
  ) {}

  @Get('*path')
  @MatchesRestOfPath()
  async get(@Req() req: HttpRequest, @Res() res: HttpReply): Promise<void> {
    const { modelId, version, action } = parseModelPath(modelPathOf(requestPath(req)));
    if (action === 'infer') throw new OipError(405, 'inference is a POST');
    const model = await findOipModel(this.queries, this.serving, modelId, version);
    if (action === 'ready') {
      const ready = model.state === 'loaded' && (version === undefined || model.loadedVersion === version);
      const body = { name: model.modelId, ready };
      res.status(ready ? 200 : 503).send(ready ? body : { ...body, error: `model '${model.modelId}' is ${model.state}` });
      return;
    }
    assertServable(model, undefined);
    res.status(200).send(modelMetadata(withRecordedIo(model)));
  }

  @Post('*path')
  @MatchesRestOfPath()
  @ReadsOwnBody()
  async post(@Req() req: HttpRequest, @Res() res: HttpReply): Promise<void> {
    const { modelId, version, action } = parseModelPath(modelPathOf(requestPath(req)));
    if (action !== 'infer') throw new OipError(405, `POST is for .../infer; ${action} is a GET`);
    const body = await readOipBody(req);
    const request = parseInferRequest(body.header, body.binary);
    const model = await findOipModel(this.queries, this.serving, modelId, version);
    assertServable(model, version);
    send(res, await this.infer(await withIo(this.serving, model), request));
  }

  /** A sync job through the queue, like POST /api/v1/infer: same priorities, batching, events. */
  private async infer(model: OipModelWithIo, req: OipInferRequest): Promise<OipInferResponse> {
    const io = oipIo(model);
    checkAgainstModel(req, io);
    const plan = plannedOutputs(req, io.outputs);
    const inputs = model.taskType === 'txt2embed' ? req.inputs[0]!.data : Object.fromEntries(req.inputs.map((i) => [i.name, tensorInput(i)]));
    const outcome = await this.commands.execute(
      new RunInferenceCommand({ model_id: model.modelId, inputs, priority: req.priority, timeout_ms: req.timeoutMs }),
    );
    const base = { model_name: model.modelId, model_version: servingVersion(model), id: req.id, job_id: outcome.job_id };
    return buildResponse(base, outputTensors(model.taskType, outcome.outputs), plan);
  }
}

/** Our tensor form; binary inputs stay bytes (base64) all the way to the worker. */
function tensorInput(i: OipInput) {
  const type = TENSOR_TYPE[i.datatype];
  return i.packed ? { dims: i.shape, type, data_base64: i.packed.toString('base64') } : { dims: i.shape, type, data: i.data };
}

function send(res: HttpReply, { json, binary }: OipInferResponse): void {
  if (binary.length === 0) {
    res.status(200).send(json);
    return;
  }
  const header = Buffer.from(JSON.stringify(json), 'utf8');
  res.status(200)
    .header('content-type', 'application/octet-stream')
    .header('inference-header-content-length', String(header.length))
    .send(Buffer.concat([header, ...binary]));
}
