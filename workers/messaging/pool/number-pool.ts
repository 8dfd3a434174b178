// The NumberPool Durable Object: one per messaging profile. (Being built; see pool/README.md.)
import { DurableObject } from 'cloudflare:workers';

export class NumberPool extends DurableObject<Env> {}
