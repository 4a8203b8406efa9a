import { Body, Controller, Get, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CreateProblemDto, LinkIncidentDto, ListProblemsQueryDto, ProblemRefDto, ProblemView, RpcSubject, UpdateProblemDto } from '@opsplane/contracts';
import { ErrorCode, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiErrors, ApiIfMatch, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';
import { WithAssigneeNames } from '../http/assignee-names';

const idParam = ApiParam({ name: 'id', description: 'Problem uuid or reference (PRB-00000001)' });
const etag = (description: string) => ({ headers: { ETag: { description, schema: { type: 'string' } } } });

/** Problems (second document): the causes behind incidents, known errors and their workarounds. */
@ApiTags('problems')
@WithAssigneeNames()
@Area('incidents')
@Controller('api/problems')
export class ProblemsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List problems, newest first (status, priority, assignee, known_error, incident_id, text)' })
  @ApiQueryOf(ListProblemsQueryDto)
  @ApiData('ProblemView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<ProblemView>> {
    return this.rpc.request(RpcSubject.IncidentsListProblems, metaOf(req), await parseInput(ListProblemsQueryDto, query));
  }

  @Post()
  @ApiOperation({ summary: "Create a problem (status new), linked to its relatedIncidents (the tenant's, by id or reference; an unknown one is a 422). Safe to retry with an Idempotency-Key header" })
  @ApiBodyOf(CreateProblemDto)
  @IdempotencyKeyHeader()
  @ApiData('ProblemView', { status: 201, headers: { Location: { description: 'The new problem', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<ProblemView> {
    const view = await this.rpc.request<ProblemView>(RpcSubject.IncidentsCreateProblem, metaOf(req), await parseInput(CreateProblemDto, normalizeKeys(body)));
    void reply.header('location', `/api/problems/${view.id}`);
    return view;
  }

  @Get(':id')
  @idParam
  @ApiOperation({ summary: 'Get a problem by id or reference' })
  @ApiData('ProblemView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<ProblemView> {
    return this.rpc.request(RpcSubject.IncidentsGetProblem, metaOf(req), await parseInput(ProblemRefDto, { id }));
  }

  @Patch(':id')
  @idParam
  @ApiOperation({ summary: 'Update a problem: new → investigating → known_error → resolved → closed (forward moves may skip; resolved → investigating reopens); resolving notes it on the linked open incidents' })
  @ApiBodyOf(UpdateProblemDto)
  @ApiData('ProblemView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ProblemView> {
    return this.update(req, id, body);
  }

  @Put(':id')
  @idParam
  @ApiOperation({ summary: 'Update a problem (same as PATCH)' })
  @ApiBodyOf(UpdateProblemDto)
  @ApiData('ProblemView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async put(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ProblemView> {
    return this.update(req, id, body);
  }

  private async update(req: GatewayRequest, id: string, body: unknown): Promise<ProblemView> {
    const ref = await parseInput(ProblemRefDto, { id });
    const patch = await parseInput(UpdateProblemDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.IncidentsUpdateProblem, metaOf(req), { id: ref.id, patch });
  }

  @Post(':id/incidents')
  @idParam
  @ApiOperation({ summary: 'Link an incident (id or reference) to the problem; the incident shows its problem' })
  @ApiBodyOf(LinkIncidentDto)
  @ApiData('ProblemView', etag('The new version'))
  async link(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ProblemView> {
    const ref = await parseInput(ProblemRefDto, { id });
    const link = await parseInput(LinkIncidentDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.IncidentsLinkProblemIncident, metaOf(req), { id: ref.id, link });
  }
}
